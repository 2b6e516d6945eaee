package dev.odin.ws.shard.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON value: what the shard reads from clients (requests) and from its own configuration (channel rules).
 * Built on jackson-core's streaming parser alone; a tree model from jackson-databind would load ~340 more classes
 * into every shard (~3 MiB of metaspace) for the few fields a request has. Numbers keep the text the client sent,
 * so an {@code id} is echoed as it came. As with a tree model, the last of two equal field names wins.
 */
public sealed interface JsonValue {
  /** Thread-safe; shared by everything in the shard that reads or writes JSON. */
  JsonFactory FACTORY = new JsonFactory();

  record Text(String value) implements JsonValue {}

  record Number(String literal) implements JsonValue {}

  enum Literal implements JsonValue { TRUE, FALSE, NULL }

  record Array(List<JsonValue> items) implements JsonValue {}

  record Members(Map<String, JsonValue> fields) implements JsonValue {}

  /**
   * The first JSON value of {@code text}, or null when there is none (empty or blank text). What follows that value
   * is not read.
   */
  static JsonValue parse(String text) throws JsonProcessingException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      return first == null ? null : read(parser, first);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("reading JSON from a String", e);
    }
  }

  private static JsonValue read(JsonParser parser, JsonToken token) throws IOException {
    if (token == null) {
      throw new JsonParseException(parser, "Unexpected end-of-input");
    }
    switch (token) {
      case START_OBJECT: {
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          fields.put(name, read(parser, parser.nextToken()));
        }
        return new Members(Collections.unmodifiableMap(fields));
      }
      case START_ARRAY: {
        List<JsonValue> items = new ArrayList<>();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          items.add(read(parser, next));
        }
        return new Array(Collections.unmodifiableList(items));
      }
      case VALUE_STRING:
        return new Text(parser.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return new Number(parser.getText());
      case VALUE_TRUE:
        return Literal.TRUE;
      case VALUE_FALSE:
        return Literal.FALSE;
      case VALUE_NULL:
        return Literal.NULL;
      default:
        throw new JsonParseException(parser, "Unexpected token " + token);
    }
  }

  /** The field's value when this is an object that has it; null otherwise. */
  default JsonValue get(String name) {
    return this instanceof Members members ? members.fields().get(name) : null;
  }

  default boolean isObject() {
    return this instanceof Members;
  }

  default boolean isArray() {
    return this instanceof Array;
  }

  default boolean isTextual() {
    return this instanceof Text;
  }

  default boolean isNull() {
    return this == Literal.NULL;
  }

  /** The string when this is one; null otherwise. */
  default String textValue() {
    return this instanceof Text text ? text.value() : null;
  }

  /** The items of an array; empty for any other value. */
  default List<JsonValue> items() {
    return this instanceof Array array ? array.items() : List.of();
  }

  /** The fields of an object, in the order they came; empty for any other value. */
  default Map<String, JsonValue> fields() {
    return this instanceof Members members ? members.fields() : Map.of();
  }

  default void writeTo(JsonGenerator out) throws IOException {
    if (this instanceof Text text) {
      out.writeString(text.value());
    } else if (this instanceof Number number) {
      out.writeNumber(number.literal());
    } else if (this instanceof Array array) {
      out.writeStartArray();
      for (JsonValue item : array.items()) {
        item.writeTo(out);
      }
      out.writeEndArray();
    } else if (this instanceof Members members) {
      out.writeStartObject();
      for (Map.Entry<String, JsonValue> field : members.fields().entrySet()) {
        out.writeFieldName(field.getKey());
        field.getValue().writeTo(out);
      }
      out.writeEndObject();
    } else if (this == Literal.TRUE || this == Literal.FALSE) {
      out.writeBoolean(this == Literal.TRUE);
    } else {
      out.writeNull();
    }
  }

  /** Compact JSON text. */
  default String toJson() {
    return write(this::writeTo);
  }

  /** What writes one JSON text to a generator. */
  interface Writing {
    void writeTo(JsonGenerator out) throws IOException;
  }

  /** The JSON text that {@code writing} writes. */
  static String write(Writing writing) {
    StringWriter text = new StringWriter(128);
    try (JsonGenerator out = FACTORY.createGenerator(text)) {
      writing.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to a String", e);
    }
    return text.toString();
  }
}
