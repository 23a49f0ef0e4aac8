"""OAI-PMH 2.0 provider: `protocol` (the engine), `xml` (responses), `views` (the
endpoint, bound to the catalogue's repository, villes2.documents.oai)."""
