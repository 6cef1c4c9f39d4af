"""Scheduled pushes: kinds registered by the features, jobs rebuilt from the tables."""
