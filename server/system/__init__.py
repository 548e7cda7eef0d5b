"""App-level endpoints: home redirect, health, the service worker script and the manifest."""
