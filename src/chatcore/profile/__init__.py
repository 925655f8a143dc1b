"""Profiles (display name, locale, settings, avatar) and saved items."""
