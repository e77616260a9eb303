"""Pure analytics over mention data: spikes and their explanation, communities, attacks."""
