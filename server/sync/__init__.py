"""Devices and the write path: every write carries an idempotency key made on the device and
is applied once, through one function per kind of write."""
