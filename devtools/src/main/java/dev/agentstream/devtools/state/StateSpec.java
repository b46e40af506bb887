package dev.agentstream.devtools.state;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;

import java.io.IOException;
import java.io.Serializable;

/**
 * One keyed state of an operator as a savepoint stores it: its name, whether it is a value or a
 * map, the types, and whether the job gives it a TTL.
 *
 * <p>A TTL state is read and written here as what the backend really stores, each value with the
 * time it was last written ({@link org.apache.flink.runtime.state.ttl.TtlValue}), through a
 * descriptor without TTL. So nothing has expired when a tool reads an old savepoint, and a
 * rewritten savepoint keeps every value's write time, which the job then reads with its own TTL.
 *
 * @param name the state's name in the operator
 * @param map true for a map state, false for a value state
 * @param userKey the map's key type; null for a value state
 * @param value the value type (the map's value type)
 * @param ttl true when the job enables a TTL on the state
 */
public record StateSpec(
        String name, boolean map, TypeInformation<?> userKey, TypeInformation<?> value, boolean ttl)
        implements Serializable {

    /** A value state with the job's TTL. */
    public static StateSpec value(String name, TypeInformation<?> value) {
        return new StateSpec(name, false, null, value, true);
    }

    /** A map state with the job's TTL on its values. */
    public static StateSpec map(String name, TypeInformation<?> key, TypeInformation<?> value) {
        return new StateSpec(name, true, key, value, true);
    }

    /** The same state without a TTL: its values are stored as they are. */
    public StateSpec withoutTtl() {
        return new StateSpec(name, map, userKey, value, false);
    }

    /** The serializer of one stored value (a map's value), with its write time when TTL is on. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TypeSerializer<Object> storedValueSerializer() {
        TypeSerializer<Object> plain = (TypeSerializer<Object>) serializer(value);
        return ttl ? new TtlStateFactory.TtlSerializer(LongSerializer.INSTANCE, plain) : plain;
    }

    /** The serializer of a map's keys. */
    @SuppressWarnings("unchecked")
    public TypeSerializer<Object> userKeySerializer() {
        return (TypeSerializer<Object>) serializer(userKey);
    }

    /** A descriptor that reads and writes the stored values as they are, write times included. */
    public StateDescriptor<?, ?> rawDescriptor() {
        return map
                ? new MapStateDescriptor<>(name, userKeySerializer(), storedValueSerializer())
                : new ValueStateDescriptor<>(name, storedValueSerializer());
    }

    /** The stored value (a {@code TtlValue} when TTL is on) of an entry's bytes. */
    public Object decodeValue(byte[] bytes) throws IOException {
        return new StateCodec(this).decodeValue(bytes);
    }

    /** The map key of an entry's bytes. */
    public Object decodeKey(byte[] bytes) throws IOException {
        return new StateCodec(this).decodeKey(bytes);
    }

    static TypeSerializer<?> serializer(TypeInformation<?> type) {
        return type.createSerializer(new SerializerConfigImpl());
    }
}
