"""FHIR at the edge: reading feed messages into the domain and writing FHIR back out."""
