using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace AgencyBot.Host.Api;

/// <summary>
/// The admin API described: its OpenAPI document at /api/openapi/v1.json and a browsable reference (Scalar) at
/// /api/reference, both behind the API key like every /api route. A browser is asked for it (HTTP Basic: any user
/// name, the key as password); a program sends X-Api-Key.
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/api/openapi/v1.json";
    public const string ReferencePath = "/api/reference";

    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // Only the admin API: /health and the Telegram webhook are no part of it.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            // Moments kept as Unix milliseconds are written as ISO-8601 strings (IsoTime): the schema says so too.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var converter = context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonConverterAttribute), true)
                    .OfType<System.Text.Json.Serialization.JsonConverterAttribute>().FirstOrDefault()?.ConverterType;
                if (converter == typeof(AgencyBot.Core.Data.IsoTime) || converter == typeof(AgencyBot.Core.Data.IsoTimeOrNull))
                {
                    schema.Type = converter == typeof(AgencyBot.Core.Data.IsoTime) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                    schema.Format = "date-time";
                }
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AgencyBot admin API",
                    Version = "v1",
                    Description = "Sets the agency up and reads its reports. Every route needs the X-Api-Key header. Times are ISO-8601.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiKeyMiddleware.Header] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyMiddleware.Header,
                        Description = "AdminApi:ApiKey",
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyMiddleware.Header, document)] = [] }];
                return Task.CompletedTask;
            });
        });

    public static void MapApiReference(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        app.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("AgencyBot admin API")
            .WithOpenApiRoutePattern(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal)));
    }
}
