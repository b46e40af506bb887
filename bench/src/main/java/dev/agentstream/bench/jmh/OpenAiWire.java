package dev.agentstream.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.OpenAiChatClient;
import dev.agentstream.udfs.turn.Turn;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.asynchttpclient.Response;
import org.asynchttpclient.netty.EagerResponseBodyPart;
import org.asynchttpclient.netty.NettyResponse;
import org.asynchttpclient.netty.NettyResponseStatus;
import org.asynchttpclient.uri.Uri;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * The two CPU steps of the job's OpenAI client around its HTTP exchange: the turn encoded as the
 * request's JSON, and a response parsed into an {@link LlmReply}. Both are package-private in udfs;
 * method handles reach them so that the benchmark times the job's own code, and a rename there
 * fails the bench module's smoke test rather than leaving a stale copy here.
 */
final class OpenAiWire {

    private static final MethodHandle REQUEST_BODY =
            find("requestBody", MethodType.methodType(ObjectNode.class, Turn.class));
    private static final MethodHandle PARSE =
            find("parse", MethodType.methodType(LlmReply.class, Response.class));

    /** The client's mapper is a plain {@code new ObjectMapper()}, as this one. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiWire() {}

    /** The request body the client posts for {@code turn}. */
    static byte[] encode(Turn turn) throws Throwable {
        return JSON.writeValueAsBytes((ObjectNode) REQUEST_BODY.invokeExact(turn));
    }

    /** What the client makes of {@code response}. */
    static LlmReply parse(Response response) throws Throwable {
        return (LlmReply) PARSE.invokeExact(response);
    }

    /**
     * A 200 response with {@code body} as async-http-client hands it to the client, whole (one body
     * part), without a connection.
     */
    static Response response(byte[] body) {
        NettyResponseStatus status =
                new NettyResponseStatus(
                        Uri.create("http://127.0.0.1:8080/v1/chat/completions"),
                        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                        null);
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.add("Content-Type", "application/json");
        headers.add("Content-Length", Integer.toString(body.length));
        return new NettyResponse(
                status,
                headers,
                List.of(new EagerResponseBodyPart(Unpooled.wrappedBuffer(body), true)));
    }

    /** A chat completion's JSON as OpenAI writes it, answering {@code content}. */
    static byte[] completion(String content, int promptTokens, int completionTokens)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-bench");
        root.put("object", "chat.completion");
        root.put("created", HelpDesk.NOW / 1000);
        root.put("model", AgentReplies.RESPONSE_MODEL);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
        root.put("system_fingerprint", "fp_bench");
        return JSON.writeValueAsBytes(root);
    }

    private static MethodHandle find(String name, MethodType type) {
        try {
            return MethodHandles.privateLookupIn(OpenAiChatClient.class, MethodHandles.lookup())
                    .findStatic(OpenAiChatClient.class, name, type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "OpenAiChatClient." + name + type + " is gone: update the benchmark", e);
        }
    }
}
