"""Printed documents (status slip, reminder letters) rendered with Qt to PDF or a printer.

Uses desktop.core only (architecture rule); callers pass font and template paths.
"""
