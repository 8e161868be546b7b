"""Journey documents (`journeys/v1`): the document model, the runtime graph and validation."""
from .document import Edge, JourneyDocument, Node, document_from_dict, document_to_dict
from .graph import JourneyGraph
from .problems import Problem, errors, has_errors, warnings
from .validate import CODES, validate

__all__ = [
    "CODES",
    "Edge",
    "JourneyDocument",
    "JourneyGraph",
    "Node",
    "Problem",
    "document_from_dict",
    "document_to_dict",
    "errors",
    "has_errors",
    "validate",
    "warnings",
]
