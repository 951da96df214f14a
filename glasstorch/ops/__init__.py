"""The ops, one family per file; each op is a Function with its forward and backward side by side."""
