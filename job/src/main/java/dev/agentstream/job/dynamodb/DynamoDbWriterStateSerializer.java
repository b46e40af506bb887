package dev.agentstream.job.dynamodb;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the requests a sink writer holds at a checkpoint: table, type, and each attribute as a
 * type name and its value. Strings are length-prefixed UTF-8 (a transcript item may hold more than
 * the 64 KB {@code writeUTF} takes).
 */
public final class DynamoDbWriterStateSerializer
        extends AsyncSinkWriterStateSerializer<DynamoDbWriteRequest> {

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    protected void serializeRequestToStream(DynamoDbWriteRequest request, DataOutputStream out)
            throws IOException {
        string(out, request.tableName());
        string(out, request.type().name());
        map(out, request.item());
    }

    @Override
    protected DynamoDbWriteRequest deserializeRequestFromStream(
            long requestSize, DataInputStream in) throws IOException {
        String table = string(in);
        DynamoDbWriteRequestType type = DynamoDbWriteRequestType.valueOf(string(in));
        return new DynamoDbWriteRequest(table, type, map(in));
    }

    private static void map(DataOutputStream out, Map<String, AttributeValue> map)
            throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, AttributeValue> e : map.entrySet()) {
            string(out, e.getKey());
            value(out, e.getValue());
        }
    }

    private static Map<String, AttributeValue> map(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, AttributeValue> map = new HashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(string(in), value(in));
        }
        return map;
    }

    private static void value(DataOutputStream out, AttributeValue v) throws IOException {
        AttributeValue.Type type = v.type();
        string(out, type.name()); // by name: the SDK may reorder its enum
        switch (type) {
            case S -> string(out, v.s());
            case N -> string(out, v.n());
            case B -> bytes(out, v.b().asByteArrayUnsafe());
            case BOOL -> out.writeBoolean(v.bool());
            case NUL -> out.writeBoolean(true);
            case SS -> strings(out, v.ss());
            case NS -> strings(out, v.ns());
            case BS -> {
                out.writeInt(v.bs().size());
                for (SdkBytes b : v.bs()) {
                    bytes(out, b.asByteArrayUnsafe());
                }
            }
            case L -> {
                out.writeInt(v.l().size());
                for (AttributeValue element : v.l()) {
                    value(out, element);
                }
            }
            case M -> map(out, v.m());
            default -> throw new IOException("cannot write an attribute of type " + type);
        }
    }

    private static AttributeValue value(DataInputStream in) throws IOException {
        AttributeValue.Type type = AttributeValue.Type.valueOf(string(in));
        return switch (type) {
            case S -> AttributeValue.fromS(string(in));
            case N -> AttributeValue.fromN(string(in));
            case B -> AttributeValue.fromB(SdkBytes.fromByteArray(bytes(in)));
            case BOOL -> AttributeValue.fromBool(in.readBoolean());
            case NUL -> AttributeValue.fromNul(in.readBoolean());
            case SS -> AttributeValue.fromSs(strings(in));
            case NS -> AttributeValue.fromNs(strings(in));
            case BS -> {
                int n = in.readInt();
                List<SdkBytes> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    all.add(SdkBytes.fromByteArray(bytes(in)));
                }
                yield AttributeValue.fromBs(all);
            }
            case L -> {
                int n = in.readInt();
                List<AttributeValue> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    all.add(value(in));
                }
                yield AttributeValue.fromL(all);
            }
            case M -> AttributeValue.fromM(map(in));
            default -> throw new IOException("cannot read an attribute of type " + type);
        };
    }

    private static void strings(DataOutputStream out, List<String> all) throws IOException {
        out.writeInt(all.size());
        for (String s : all) {
            string(out, s);
        }
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(string(in));
        }
        return all;
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
