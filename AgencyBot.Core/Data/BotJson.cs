using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Telegram.Bot;

namespace AgencyBot.Core.Data;

/// <summary>
/// Telegram's own types (requests, entities, updates) in the Bot API's JSON: <see cref="JsonBotAPI.Options"/>' settings.
/// Each call asks the options for the type's metadata instead of leaving System.Text.Json to find it by reflection:
/// where reflection is off (a Native AOT build) the options carry Telegram.Bot's source-generated context, and the
/// same call reads and writes the same JSON.
/// </summary>
public static class BotJson
{
    /// <summary>A copy of the Bot API's options with their resolver set. Under the JIT, <see cref="JsonBotAPI.Options"/>
    /// has none until something first serialises with them, and asking options without one for metadata throws: a host
    /// that read an update before its first call to Telegram (a restart with updates waiting) would have failed on every
    /// update.</summary>
    public static readonly JsonSerializerOptions Options = WithResolver(new JsonSerializerOptions(JsonBotAPI.Options));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Info<T>(Options));

    /// <summary>A value written as its run-time type (a request known only as <c>IRequest&lt;T&gt;</c>).</summary>
    public static string SerializeAsItIs(object value) => JsonSerializer.Serialize(value, Options.GetTypeInfo(value.GetType()));

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, Info<T>(Options));

    /// <summary>The metadata of <typeparamref name="T"/> in options derived from <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only with reflection on: where it is off, Telegram.Bot's options carry its own context")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only with reflection on: where it is off, Telegram.Bot's options carry its own context")]
    private static JsonSerializerOptions WithResolver(JsonSerializerOptions options)
    {
        if (options.TypeInfoResolver is null && JsonSerializer.IsReflectionEnabledByDefault)
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        return options;
    }
}
