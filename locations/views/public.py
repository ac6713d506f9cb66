"""The blueprint of the public pages that have no package of their own yet (locations, planner, inquiries,
reports); it empties as each domain moves into its package."""
from flask import Blueprint

bp = Blueprint("public", __name__)
