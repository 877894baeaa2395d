"""Operations on records, accounts and documents, shared by the screens, the API and the CLI.

Nothing here imports Flask; callers pass the definitions and the acting user.
"""
