using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using AgencyBot.Host.Settings;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        // A body that is not the JSON a route takes: the problem names the field ("'clientId' must be a number"), not
        // only "bad request".
        // Binding failures throw, so the exception handler's problem document can say which field was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.Exception is BadHttpRequestException { InnerException: System.Text.Json.JsonException { Path: { Length: > 2 } path } json })
                context.ProblemDetails.Detail = $"'{path.TrimStart('$', '.')}' has the wrong type or shape: {json.Message.Split(" Path:")[0]}";
        });
        services.AddApiReference();
        services.AddValidatorsFromAssemblyContaining<CreateStaff>(includeInternalTypes: true);
        services.AddSingleton<IValidator<AgencyBot.Core.Tasks.Template>>(sp =>
            new AgencyBot.Core.Tasks.TemplateValidator(sp.GetRequiredService<IOptions<AgencyBot.Core.Agency.AgencyOptions>>().Value.TeamRoles));
        services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var converter in AdminJson.Enums) o.SerializerOptions.Converters.Add(converter);
            // Generated metadata only: with reflection taken out, a type missing from AdminJson fails its route in the
            // tests, as it would in a Native AOT build. (The sandbox adds its own context beside this one.)
            var chain = o.SerializerOptions.TypeInfoResolverChain;
            for (var i = chain.Count - 1; i >= 0; i--)
                if (chain[i] is System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver) chain.RemoveAt(i);
            chain.Insert(0, AdminJson.Default);
        });
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = TooManyCallsAsync;
        });
        // The limiter's middleware runs in the /api branch only (MapAdminApi), so this global limiter is the admin
        // API's alone: /health and the Telegram webhook never meet it.
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdminApiOptions>>((limiter, admin) =>
        {
            var limit = admin.Value.RateLimit;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.Requests,
                    Window = limit.Window,
                    QueueLimit = 0,
                }));
        });
        return services;
    }

    /// <summary>Everything under /api is rate limited per remote address and needs the X-Api-Key header, both checked
    /// before anything reads the request.</summary>
    public static void MapAdminApi(this WebApplication app)
    {
        // The limiter first, so calls with a wrong key count too: guessing the key is throttled like any other call.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"), api => api.UseRateLimiter().UseMiddleware<ApiKeyMiddleware>());
        var api = app.MapGroup("/api");
        api.MapStaff();
        api.MapClients();
        api.MapProjects();
        api.MapConversations();
        api.MapReports();
        api.MapOps();
        api.MapTemplates();
        api.MapTasks();
        api.MapTimeEntries();
        api.MapBudgets();
        api.MapDigest();
        api.MapImport();
        api.MapExports();
        api.MapSavedAnswers();
        app.MapApiReference();
    }

    private static async ValueTask TooManyCallsAsync(OnRejectedContext context, CancellationToken ct)
    {
        var limit = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminApiOptions>>().Value.RateLimit;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : limit.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"At most {limit.Requests} admin API calls per {limit.Window} from one address; try again in {seconds} s.")
            .ExecuteAsync(context.HttpContext);
    }
}

/// <summary>Compares X-Api-Key with AdminApi:ApiKey in constant time, so timing reveals nothing about the key. It runs
/// as middleware, before model binding: a caller without the key learns nothing, not even that a body is malformed.
/// A browser opening the API reference cannot set a header, so HTTP Basic with the key as password is accepted too,
/// and the reference's 401 asks the browser for it.</summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<AdminApiOptions> options, ILogger<ApiKeyMiddleware> logger)
{
    public const string Header = "X-Api-Key";

    public async Task InvokeAsync(HttpContext http)
    {
        var given = http.Request.Headers[Header].ToString();
        if (given.Length == 0 && BasicPassword(http.Request) is { } password) given = password;
        if (CryptographicOperations.FixedTimeEquals(Hash(given), Hash(options.Value.ApiKey)))
        {
            await next(http);
            return;
        }
        logger.LogWarning("Admin API call to {Path} without a valid API key", http.Request.Path);
        if (http.Request.Path.StartsWithSegments(ApiReference.ReferencePath))
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"AgencyBot admin API (any user name, the API key as password)\", charset=\"UTF-8\"";
        await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: $"Send the admin API key in the {Header} header.").ExecuteAsync(http);
    }

    private static string? BasicPassword(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            return credentials.IndexOf(':') is >= 0 and var colon ? credentials[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Hashing first makes the comparison length-independent as well.
    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}

/// <summary>Runs the FluentValidation validator of the request body; a failure is a 400 problem naming the fields.</summary>
internal sealed class Validated<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        if (body is null)
            return TypedResults.Problem(statusCode: 400, title: "A JSON body is required");
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : TypedResults.ValidationProblem(result.ToDictionary());
    }
}

internal static class Problems
{
    public static ProblemHttpResult BadRequest(string why) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: why);

    public static ProblemHttpResult Forbidden(string why) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: why);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    /// <summary>The bot's username for a link, or null when Telegram cannot be reached and it was never learned.</summary>
    public static async Task<string?> UsernameAsync(Telegram.BotIdentity bot, CancellationToken ct)
    {
        try
        {
            return await bot.UsernameAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or global::Telegram.Bot.Exceptions.RequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public static ProblemHttpResult TelegramUnreachable() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Telegram cannot be reached",
        detail: "A link needs the bot's username, which Telegram has not given yet (it is kept once getMe answers). Try again when Telegram answers.");

    /// <summary>The route names a project that does not exist.</summary>
    public static ProblemHttpResult NoProject(long id) => NotFound($"There is no project {id}.");
}
