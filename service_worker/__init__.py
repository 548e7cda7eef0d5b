"""The service worker's JavaScript, served at /sw.js (see server/system/routes.py)."""
