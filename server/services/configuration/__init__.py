"""Publishing forms and workflows: the live store, the impact of a change, revisions and the
checks of ``verbund check`` that need more than the schema."""
