"""chaser: chase sales reps for the CRM fields they left blank, and price the chasing."""

__version__ = "0.1.0"
