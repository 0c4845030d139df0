"""One router per resource: training runs, registered models, predictions."""
