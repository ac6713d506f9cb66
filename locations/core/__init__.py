"""What every part of the app shares and no domain owns: database, configuration, clock, errors, security."""
