"""OAI-PMH 2.0 provider: `protocol` (the engine), `xml` (responses), `composite` (several
repositories behind one endpoint), `views` (the endpoint, bound to the catalogue's
records, villes2.documents.oai, and the experience records, villes2.practices.oai)."""
