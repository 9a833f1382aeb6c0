"""Reading records: files -> YAML documents -> model objects -> evidence checks, with a parse cache."""
