"""Documents of records: requesting them, reading their status and file, and administering the
Word templates they are made from."""
