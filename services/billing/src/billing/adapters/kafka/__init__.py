"""Publishing billing events to Kafka."""
