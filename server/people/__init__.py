"""Participants: who they are (the minimum a coordinator needs) and their consent."""
