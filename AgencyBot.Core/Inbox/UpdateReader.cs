using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AgencyBot.Core.Data;
using Telegram.Bot;

namespace AgencyBot.Core.Inbox;

/// <summary>An update that cannot be handled yet because something it depends on is still on its way (a staff reply to
/// a post whose Telegram id is not recorded yet): tried again shortly, and not counted as a failed attempt.</summary>
public class RetryLaterException(string message) : Exception(message)
{
    public static readonly TimeSpan After = TimeSpan.FromSeconds(1);
}

/// <summary>An update that cannot be read at all; it is dead-lettered at once (trying again cannot help).</summary>
public sealed class UnreadableUpdateException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>An update read from its stored JSON, and the parts of it that had to be left out.</summary>
public sealed record ReadUpdate(Update Update, IReadOnlyList<string> LeftOut);

/// <summary>
/// Reads an update the way a long-lived bot must: Telegram adds fields, enum values and kinds of objects several
/// times a year. Unknown fields are skipped and unknown enum values read as 0 (the library's "unknown") by the
/// library itself; what it cannot read at all is an object of a kind newer than it (a message origin or a reaction
/// type it does not know), and that object is left out — named in <see cref="ReadUpdate.LeftOut"/> — so the rest of
/// the update is still handled (a member change whose new status is of an unknown kind arrives without it). A value
/// of the wrong type (text that is a number) or a message without its chat makes the update unreadable.
/// </summary>
public static class UpdateReader
{
    private const int MaxLeftOut = 20;

    private static readonly JsonTypeInfo<Update> UpdateInfo =
        BotJson.Info<Update>(new JsonSerializerOptions(BotJson.Options) { Converters = { new NoNulStrings() } });

    public static ReadUpdate Read(string json)
    {
        var leftOut = new List<string>();
        JsonNode? tree = null;
        while (true)
        {
            try
            {
                var update = tree is null ? JsonSerializer.Deserialize(json, UpdateInfo) : tree.Deserialize(UpdateInfo);
                if (update is null) throw new UnreadableUpdateException("The update is JSON null.");
                Check(update);
                return new ReadUpdate(update, leftOut);
            }
            catch (JsonException ex) when (ex.Path is { } path && leftOut.Count < MaxLeftOut)
            {
                tree ??= ParseTree(json, ex);
                if (TryRemoveObjectAt(tree, path, ex.Message) is not { } removed) throw new UnreadableUpdateException($"Cannot read {path}: {ex.Message}", ex);
                leftOut.Add(removed);
            }
            catch (Exception ex) when (ex is not UnreadableUpdateException)
            {
                // The library's own converters throw more than JsonException on shapes they cannot take (a kind of
                // object without its "type" field, say).
                throw new UnreadableUpdateException($"Cannot read the update: {ex.Message}", ex);
            }
        }
    }

    /// <summary>What every handler may count on: a message has its chat, a button press its presser.</summary>
    private static void Check(Update update)
    {
        foreach (var message in new[] { update.Message, update.EditedMessage, update.ChannelPost, update.EditedChannelPost, update.BusinessMessage, update.EditedBusinessMessage })
            if (message is not null && message.Chat is null)
                throw new UnreadableUpdateException("A message without its chat.");
        if (update.CallbackQuery is { From: null }) throw new UnreadableUpdateException("A button press without its presser.");
        if (update.MyChatMember is { Chat: null }) throw new UnreadableUpdateException("A member change without its chat.");
    }

    private static JsonNode ParseTree(string json, JsonException cause)
    {
        try
        {
            return JsonNode.Parse(json) ?? throw new UnreadableUpdateException("The update is JSON null.", cause);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new UnreadableUpdateException($"Cannot read the update: {cause.Message}", cause);
        }
    }

    /// <summary>
    /// Removes the object the error is about, given the error's JSON path (<c>$.message.forward_origin</c>,
    /// <c>$.message_reaction.new_reaction[1]</c>), and returns where it was. The library reads some objects apart from
    /// the rest, so the path may start at that object rather than at the update (<c>$.fill</c>): then every place the
    /// path fits is a candidate, the one whose kind the error names first. Only an object that says which kind it is
    /// goes: a scalar of the wrong type is not something to leave out. Null when there is no such object.
    /// </summary>
    private static string? TryRemoveObjectAt(JsonNode root, string path, string error)
    {
        if (Steps(path) is not { Count: > 0 } steps) return null;
        var candidates = new List<(JsonNode Parent, object Step, string Where)>();
        Visit(root, "$");
        var chosen = candidates
            .Where(c => IsOfAKind(At(c.Parent, c.Step)))
            .OrderByDescending(c => Kind(At(c.Parent, c.Step)) is { } kind && error.Contains(kind, StringComparison.Ordinal))
            .ThenBy(c => c.Where.Length)
            .Cast<(JsonNode Parent, object Step, string Where)?>()
            .FirstOrDefault();
        // Never the update's own field (the whole message): what is left would be an update of no kind, silently ignored.
        if (chosen is not { } hit || hit.Where.Count(ch => ch is '.' or '[') < 2) return null;
        switch (hit.Step, hit.Parent)
        {
            case (string name, JsonObject o):
                o.Remove(name);
                break;
            case (int index, JsonArray a):
                a.RemoveAt(index);
                break;
        }
        return hit.Where;

        void Visit(JsonNode node, string where)
        {
            // Does the path fit from here?
            var at = node;
            for (var i = 0; i < steps.Count - 1 && at is not null; i++) at = At(at, steps[i]);
            if (at is not null && At(at, steps[^1]) is not null)
                candidates.Add((at, steps[^1], where + string.Concat(steps.Select(Show))));
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o)
                        if (child is not null) Visit(child, where + Show(name));
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                        if (a[i] is { } child) Visit(child, where + Show(i));
                    break;
            }
        }
    }

    private static JsonNode? At(JsonNode node, object step) => (step, node) switch
    {
        (string name, JsonObject o) => o[name],
        (int index, JsonArray a) when index >= 0 && index < a.Count => a[index],
        _ => null,
    };

    private static string Show(object step) => step is int index ? $"[{index}]" : $".{step}";

    private static string? Kind(JsonNode? node) =>
        node is JsonObject o ? new[] { "type", "source", "status" }.Select(k => o[k] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string?)v : null)
            .FirstOrDefault(k => k is not null) : null;

    /// <summary>An object that says which kind of thing it is, the way Telegram's families of types do (a message origin
    /// or reaction by "type", a boost source by "source", a chat member by "status"): one of a kind newer than the
    /// library. Any other object that cannot be read holds a wrong value, and leaving it out would hide that.</summary>
    private static bool IsOfAKind(JsonNode? node) => Kind(node) is not null;

    /// <summary>The steps of System.Text.Json's error path: <c>.name</c>, <c>['name']</c> and <c>[index]</c>.</summary>
    private static List<object>? Steps(string path)
    {
        if (!path.StartsWith('$')) return null;
        var steps = new List<object>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                steps.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) return null;
                steps.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index)) return null;
                steps.Add(index);
                i = end + 1;
            }
            else return null;
        }
        return steps;
    }

    /// <summary>A NUL character (which no real client types, but a forged update may carry) becomes U+FFFD:
    /// PostgreSQL's text cannot hold one, and the record should read the same on both engines.</summary>
    private sealed class NoNulStrings : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString()?.Replace('\0', '\uFFFD');

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
