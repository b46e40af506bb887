package dev.agentstream.devtools.load;

/** One record for the bus: its topic, its key (the thread id) and the envelope's bytes. */
public record BusWrite(String topic, byte[] key, byte[] value) {}
