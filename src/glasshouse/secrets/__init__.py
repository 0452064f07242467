"""Leaked credentials: rules as data, one detector, the git history reader."""
