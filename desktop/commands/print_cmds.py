"""(work in progress)"""
from desktop.services.errors import BadInput


def _todo(args):
    raise BadInput("not yet")


cmd_slip = cmd_letters = cmd_import = cmd_export = _todo
