"""Everything held about one person across domains: their page, and merging two records of
the same person."""
