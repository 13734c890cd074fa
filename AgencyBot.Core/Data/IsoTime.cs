using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgencyBot.Core.Data;

/// <summary>
/// Moments are stored as Unix milliseconds (one integer column sorts and compares the same on SQLite and PostgreSQL)
/// but shown as ISO-8601: a row read into a record keeps its long, and the admin API writes it as
/// "2026-12-01T09:30:00+00:00", the one time format of every answer. Put on the record's property.
/// </summary>
public sealed class IsoTime : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : reader.GetDateTimeOffset().ToUnixTimeMilliseconds();

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTimeOffset.FromUnixTimeMilliseconds(value));
}

/// <summary><see cref="IsoTime"/> for a moment that may not have happened (null).</summary>
public sealed class IsoTimeOrNull : JsonConverter<long?>
{
    public override bool HandleNull => false;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : reader.GetDateTimeOffset().ToUnixTimeMilliseconds();

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is { } ms) writer.WriteStringValue(DateTimeOffset.FromUnixTimeMilliseconds(ms));
        else writer.WriteNullValue();
    }
}
