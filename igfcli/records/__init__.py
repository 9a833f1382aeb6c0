"""Reading records: files -> YAML documents -> validated model objects -> evidence checks, with a parse cache."""
