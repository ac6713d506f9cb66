"""The blueprint of the producers' pages that have no package of their own yet (their inquiries); it empties
as each domain moves into its package."""
from flask import Blueprint

bp = Blueprint("producer", __name__)
