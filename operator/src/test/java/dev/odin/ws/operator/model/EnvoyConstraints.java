package dev.odin.ws.operator.model;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import io.envoyproxy.pgv.validate.Validate;
import java.util.ArrayList;
import java.util.List;

/**
 * The protoc-gen-validate rules that Envoy's API carries as field options but JsonFormat does not enforce: the
 * ones a bootstrap like ours can break (required messages, minimum list sizes, non-empty strings, numeric ranges
 * of uint32 and double fields). A small reflective checker, not a full PGV implementation.
 */
final class EnvoyConstraints {
  private final TypeRegistry types;

  EnvoyConstraints(TypeRegistry types) {
    this.types = types;
  }

  List<String> violations(Message message) {
    List<String> out = new ArrayList<>();
    check(message, "", out);
    return out;
  }

  private void check(Message m, String path, List<String> out) {
    if (m instanceof Any any) {
      unpack(any, path, out);
      return;
    }
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      String p = path + "." + f.getName();
      Validate.FieldRules rules = f.getOptions().getExtension(Validate.rules);
      boolean set = f.isRepeated() ? m.getRepeatedFieldCount(f) > 0 : m.hasField(f);
      if (f.getRealContainingOneof() != null && !set) {
        continue; // an unset oneof member is not "missing"
      }
      if (rules.getMessage().getRequired() && !set) {
        out.add(p + ": message.required");
      }
      if (f.isRepeated()) {
        if (rules.getRepeated().getMinItems() > m.getRepeatedFieldCount(f)) {
          out.add(p + ": repeated.min_items=" + rules.getRepeated().getMinItems());
        }
        for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
          if (m.getRepeatedField(f, i) instanceof Message child) {
            check(child, p + "[" + i + "]", out);
          }
        }
        continue;
      }
      if (!set && f.getType() != FieldDescriptor.Type.STRING) {
        continue;
      }
      Object value = m.getField(f);
      if (value instanceof String s && rules.getString().getMinLen() > s.length()) {
        out.add(p + ": string.min_len=" + rules.getString().getMinLen());
      } else if (f.getType() == FieldDescriptor.Type.UINT32) {
        long v = Integer.toUnsignedLong((Integer) value);
        Validate.UInt32Rules r = rules.getUint32();
        if ((r.hasLte() && v > Integer.toUnsignedLong(r.getLte())) || (r.hasGt() && v <= Integer.toUnsignedLong(r.getGt()))
            || (r.hasGte() && v < Integer.toUnsignedLong(r.getGte()))) {
          out.add(p + ": uint32 rule " + r.toString().replace('\n', ' ') + " got " + v);
        }
      } else if (value instanceof Message child) {
        check(child, p, out);
      }
    }
  }

  private void unpack(Any any, String path, List<String> out) {
    try {
      var descriptor = types.getDescriptorForTypeUrl(any.getTypeUrl());
      if (descriptor == null) {
        out.add(path + ": unknown type " + any.getTypeUrl());
        return;
      }
      Message inner = com.google.protobuf.DynamicMessage.parseFrom(descriptor, any.getValue());
      check(inner, path + "<" + descriptor.getName() + ">", out);
    } catch (InvalidProtocolBufferException e) {
      out.add(path + ": " + e.getMessage());
    }
  }
}
