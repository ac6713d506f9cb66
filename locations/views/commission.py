"""The blueprint of the FC workspace pages that have no package of their own yet (board, inquiries, shoot
reports); it empties as each domain moves into its package."""
from flask import Blueprint

bp = Blueprint("commission", __name__, url_prefix="/commission")
