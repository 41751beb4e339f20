"""Writes of CRM settings. Every save goes through `settings_section_save`, so every change lands in the history."""

from mappings.services.defaults import crm_settings_ensure_defaults
from mappings.services.history import settings_change_revert, settings_rows_edit, settings_section_save
from mappings.services.sync import sync_mappings_refresh_status

__all__ = [
    "crm_settings_ensure_defaults",
    "settings_change_revert",
    "settings_rows_edit",
    "settings_section_save",
    "sync_mappings_refresh_status",
]
