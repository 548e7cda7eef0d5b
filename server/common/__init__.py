"""Small pieces every domain uses: ids, clocks, column helpers, errors."""
