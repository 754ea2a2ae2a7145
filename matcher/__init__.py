"""Pure text processing and TF-IDF ranking of calls against profiles, with explanations."""
