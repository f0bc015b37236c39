"""Tests of stickiness.findings, mirroring the package: one module per module of the core."""
