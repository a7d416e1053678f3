"""Widgets of the app's own, one module each."""

from .picker import Picker, PickerScreen
from .rows_editor import Column, RowsEditor

__all__ = ["Column", "Picker", "PickerScreen", "RowsEditor"]
