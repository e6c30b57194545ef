"""The read side: visibility-filtered querysets with the joins each page needs, one
module per area. Import the module: `from community.queries import threads`."""
