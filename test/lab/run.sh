#!/usr/bin/env bash
# Kernel lab entry point (placeholder until the lab lands).
echo "lab: no scenarios yet"
