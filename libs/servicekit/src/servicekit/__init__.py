"""The HTTP edge the receivables services share (FastAPI side; ``eventfeed`` stays free of
any web framework): RFC 9457 problem details with their OpenAPI documentation, and the
operator routes for dead letters."""

from servicekit.dead_letters import dead_letter_router
from servicekit.problems import MEDIA_TYPE, FieldError, Problem, Problems

__all__ = ["MEDIA_TYPE", "FieldError", "Problem", "Problems", "dead_letter_router"]
