using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Telegram.Bot;

namespace AgencyBot.Core.Data;

/// <summary>
/// Telegram's own types (requests, entities, updates) in the Bot API's JSON, through <see cref="JsonBotAPI.Options"/>.
/// Each call asks those options for the type's metadata instead of leaving System.Text.Json to find it by reflection:
/// where reflection is off (a Native AOT build) the options carry Telegram.Bot's source-generated context, and the
/// same call reads and writes the same JSON.
/// </summary>
public static class BotJson
{
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Info<T>(JsonBotAPI.Options));

    /// <summary>A value written as its run-time type (a request known only as <c>IRequest&lt;T&gt;</c>).</summary>
    public static string SerializeAsItIs(object value) => JsonSerializer.Serialize(value, JsonBotAPI.Options.GetTypeInfo(value.GetType()));

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, Info<T>(JsonBotAPI.Options));

    /// <summary>The metadata of <typeparamref name="T"/> in options derived from the Bot API's.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
