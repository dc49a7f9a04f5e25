"""The local stack: emulators for the accounting apps and Loc8 core, and its runner."""
