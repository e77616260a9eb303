"""How the desk says things to people: words for codes, numbers, times and a spike's story
(pure: no I/O), shared by the web pages and the reports."""
