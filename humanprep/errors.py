"""One exception type whose message is the whole story: one line, file and problem."""


class HumanprepError(Exception):
    """A user-facing failure; printed as one line, never with a traceback."""

    def __init__(self, where, problem):
        self.where = str(where)
        self.problem = str(problem)
        super().__init__(f"{self.where}: {self.problem}")
