"""The rules of one-thing services, in the glossary's words; standard library only."""
