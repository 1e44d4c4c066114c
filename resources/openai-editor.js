/*
 * Editor code that the dialogs of this package's nodes share, as
 * window.OpenAINodesEditor, and their styles. Each node's HTML loads this file
 * with <script src="resources/@connector-labs/node-red-openai/openai-editor.js">:
 * the editor runs a node's definition only once the file has loaded, which
 * holds also right after a palette install, when the node sets' HTML arrive
 * in any order.
 */
(function () {
    "use strict";
    // Each node set loads the file; the first run is enough.
    if (window.OpenAINodesEditor) {
        return;
    }

    const STYLE = [
        ".openai-form .form-row > label { width: 165px; }",
        ".openai-form .openai-form-heading { margin: 18px 0 8px; font-weight: bold; }",
        ".openai-form button.openai-options-toggle { display: inline-block; padding: 2px 4px 2px 0; border: none; background: none; color: inherit; font: inherit; font-weight: bold; cursor: pointer; }",
        ".openai-form button.openai-options-toggle:focus-visible { outline: 2px solid var(--red-ui-form-input-focus-color, #4a90d9); outline-offset: 2px; }",
        ".openai-form .openai-options-toggle > i.fa { width: 12px; }",
        ".openai-form .openai-model-hint { margin: -6px 0 12px 170px; font-size: 0.9em; color: var(--red-ui-secondary-text-color, #777); }",
        ".openai-form .openai-options { padding-left: 12px; border-left: 2px solid var(--red-ui-secondary-border-color, #ddd); margin-bottom: 12px; }",
        ".openai-form .openai-options-heading { margin: 6px 0 8px; font-style: italic; }"
    ].join("\n");
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.appendChild(style);

    // The catalogue of a node set of this package: "<package name>/<set name>".
    function translator(set) {
        const ns = "@connector-labs/node-red-openai/" + set;
        return function (key, args) {
            return RED._(ns + ":" + key, args);
        };
    }
    // The texts shown by this shared code are in the account's catalogue.
    const t = translator("openai-account");

    // `${NAME}`: an environment variable, resolved by the runtime.
    function isEnvRef(v) {
        return typeof v === "string" && /^\$\{[^}]+\}$/.test(v.trim());
    }
    function isBlank(v) {
        return v === undefined || v === null || String(v).trim() === "";
    }
    // What the runtime takes for "not given": a missing property (a flow saved
    // before the property existed) or an empty value.
    function isUnset(v) {
        return v === undefined || v === null || v === "";
    }
    // Node-RED 3.1+ passes `opt` to validators and shows a returned string as
    // the reason; older editors call with one argument and want a boolean.
    function fail(opt, key, args) {
        return opt ? t(key, args) : false;
    }
    // The field's name in a reason: its `label` from defaults, else `prop`.
    function nameOf(opt, prop) {
        return (opt && opt.label) || prop;
    }

    // Validator of a plain whole-number field >= min (in-flight limit and
    // queue size). Empty or missing is valid: it means the default, as in a
    // flow saved before the field existed. `${ENV}` is valid.
    function integerAtLeast(prop, min) {
        return function (v, opt) {
            if (isBlank(v) || isEnvRef(v)) {
                return true;
            }
            const n = Number(v);
            if (Number.isInteger(n) && n >= min) {
                return true;
            }
            return fail(opt, "openai-account.errors.integerMin", { prop: nameOf(opt, prop), min: min });
        };
    }

    // Validator of an optional TypedInput (its type in <typeField>): empty or
    // missing means "not given" whatever the type, even one whose empty value
    // is no valid expression (json, msg, jsonata); anything else gets the
    // editor's own check of its type.
    function optionalTypedInput(typeField) {
        const typed = RED.validators.typedInput(typeField);
        return function (v, opt) {
            return isUnset(v) ? true : typed.call(this, v, opt);
        };
    }

    // Validator of a numeric TypedInput (#node-input-<prop>, its type in
    // <prop>Type): optional as above, then, for a literal number, the API's
    // range. `limits` is {min, max} for a range, or {min, max?, integer: true}.
    function numberInput(prop, limits) {
        const typeField = prop + "Type";
        const typed = optionalTypedInput(typeField);
        return function (v, opt) {
            const ok = typed.call(this, v, opt);
            if (ok !== true || isUnset(v)) {
                return ok;
            }
            const type = $("#node-input-" + typeField).val() || this[typeField] || "num";
            if (type !== "num" || isEnvRef(v)) {
                return true;
            }
            const name = nameOf(opt, prop);
            const n = Number(v);
            if (!Number.isFinite(n)) {
                return fail(opt, "openai-account.errors.notNumber", { prop: name });
            }
            if (limits.integer) {
                if (!Number.isInteger(n) || n < limits.min || n > limits.max) {
                    const key = limits.max === undefined ? "openai-account.errors.integerMin" : "openai-account.errors.integerRange";
                    return fail(opt, key, { prop: name, min: limits.min, max: limits.max });
                }
            } else if (n < limits.min || n > limits.max) {
                return fail(opt, "openai-account.errors.range", { prop: name, min: limits.min, max: limits.max });
            }
            return true;
        };
    }

    // Fills the dialog's field #node-input-<prop> with `value` when the node
    // has no value of its own (saved before the property existed), so that
    // the dialog shows what the runtime uses.
    function showDefault(node, prop, value) {
        if (isUnset(node[prop])) {
            $("#node-input-" + prop).val(value);
        }
    }

    // The collapsible group of a dialog: the button #<type>-options-toggle
    // (aria-controls="<type>-options") shows or hides #<type>-options and
    // tells its state in aria-expanded. A <button>, so Enter and Space work.
    // `open`: its state when the dialog opens.
    function optionsGroup(type, open) {
        const toggle = $("#" + type + "-options-toggle");
        const options = $("#" + type + "-options");
        function showOptions(show) {
            options.toggle(show);
            toggle.attr("aria-expanded", show ? "true" : "false");
            toggle.find("i.fa").toggleClass("fa-caret-right", !show).toggleClass("fa-caret-down", show);
            RED.tray.resize();
        }
        toggle.on("click", function (e) {
            e.preventDefault();
            showOptions(toggle.attr("aria-expanded") !== "true");
        });
        showOptions(open);
    }

    // The account settings that the runtime's picker takes, as the editor holds them.
    const PICKER_SETTINGS = ["name", "baseURL", "organization", "project", "timeout", "maxRetries", "proxy", "headers", "query", "authHeader"];

    // What to ask for the models of an account: the deployed one by its id
    // (GET openai-account/<id>/models), or, for an account added or edited
    // since the last deploy, its settings as the editor holds them and the
    // key typed in its dialog, if any (POST openai-account/models). The
    // runtime uses its stored key only with exactly the deployed settings.
    function modelQuestion(account, accountId) {
        if (!account.changed) {
            return { key: accountId, draft: false, request: { url: "openai-account/" + encodeURIComponent(accountId) + "/models", method: "GET", dataType: "json" } };
        }
        const settings = {};
        PICKER_SETTINGS.forEach(function (name) {
            if (account[name] !== undefined) {
                settings[name] = account[name];
            }
        });
        // Node-RED keeps a typed password in the node until the deploy;
        // "__PWRD__" stands for the stored one, which the editor never sees.
        const credentials = account.credentials || {};
        const typed = typeof credentials.apiKey === "string" && credentials.apiKey !== "" && credentials.apiKey !== "__PWRD__" ? credentials.apiKey : undefined;
        const body = { id: accountId, settings: settings };
        if (typed !== undefined) {
            body.apiKey = typed;
        }
        const text = JSON.stringify(body);
        return {
            key: text,
            draft: true,
            request: { url: "openai-account/models", method: "POST", contentType: "application/json", data: text, dataType: "json" }
        };
    }

    // The model field's suggestions: the models that the selected account's
    // server lists (see modelQuestion), in the <datalist> #<type>-model-list
    // tied to #node-input-model while its type is a literal string. The
    // field stays free text, so when the server cannot be reached the hint
    // #<type>-model-hint says why and any model name can still be typed.
    // Call it once the field is a TypedInput. `pick` (optional) chooses from
    // the listed ids what suits the node; without it every listed model is
    // suggested.
    function attachModelList(type, pick) {
        pick = pick || function (models) {
            return models;
        };
        const input = $("#node-input-model");
        // The TypedInput hides the original input and shows its own text
        // field, which is the one the suggestions belong to.
        const field = input.siblings(".red-ui-typedInput-container").find("input.red-ui-typedInput-input");
        const list = $("#" + type + "-model-list");
        const hint = $("#" + type + "-model-hint");
        let asked = null;

        function isLiteral() {
            return input.typedInput("type") === "str";
        }
        function show(text) {
            const visible = !!text && isLiteral();
            const resize = visible !== hint.is(":visible");
            hint.text(text || "").toggle(visible);
            field.attr("list", isLiteral() ? list.attr("id") : null);
            if (resize) {
                RED.tray.resize();
            }
        }
        function reasonOf(xhr) {
            try {
                const body = JSON.parse(xhr.responseText);
                if (body && typeof body.error === "string") {
                    return body.error;
                }
            } catch (e) {
                // not JSON: fall back to the status line
            }
            return xhr.status ? xhr.status + " " + (xhr.statusText || "") : t("openai-account.modelList.unreachable");
        }
        function failure(xhr) {
            if (xhr.status === 404) {
                return t("openai-account.modelList.notDeployed");
            }
            // Node-RED answers 401 when a permission is missing.
            if (xhr.status === 401 || xhr.status === 403) {
                return t("openai-account.modelList.forbidden");
            }
            return t("openai-account.modelList.failed", { error: reasonOf(xhr) });
        }
        function load(accountId) {
            const chosen = !!accountId && accountId !== "_ADD_";
            const account = chosen ? RED.nodes.node(accountId) : null;
            // Asked again only when the account or its settings changed; an
            // answer to an earlier question is dropped.
            const question = account ? modelQuestion(account, accountId) : null;
            const key = question ? question.key : String(accountId);
            if (key === asked) {
                return;
            }
            asked = key;
            list.empty();
            if (!question) {
                show("");
                return;
            }
            show(t("openai-account.modelList.loading"));
            $.ajax(question.request).done(function (data) {
                if (asked !== key) {
                    return;
                }
                const models = pick(data && Array.isArray(data.models) ? data.models : []);
                models.forEach(function (id) {
                    $("<option>").attr("value", id).appendTo(list);
                });
                const listed = question.draft ? "openai-account.modelList.listedDraft" : "openai-account.modelList.listed";
                show(models.length ? t(listed, { number: models.length }) : t("openai-account.modelList.empty"));
            }).fail(function (xhr) {
                if (asked === key) {
                    show(failure(xhr));
                }
            });
        }

        $("#node-input-account").on("change", function () {
            load($(this).val());
        });
        // Type changes: suggestions only for a literal model name.
        input.on("change", function () {
            show(hint.text());
        });
        load($("#node-input-account").val());
    }

    // Makes #node-input-<prop> a TypedInput of `types`, the first one its
    // default, its type kept in #node-input-<prop>Type.
    function typedField(prop, types) {
        $("#node-input-" + prop).typedInput({
            default: types[0],
            types: types,
            typeField: "#node-input-" + prop + "Type"
        });
    }

    window.OpenAINodesEditor = {
        translator: translator,
        isEnvRef: isEnvRef,
        isBlank: isBlank,
        isUnset: isUnset,
        fail: fail,
        integerAtLeast: integerAtLeast,
        optionalTypedInput: optionalTypedInput,
        numberInput: numberInput,
        showDefault: showDefault,
        optionsGroup: optionsGroup,
        attachModelList: attachModelList,
        typedField: typedField
    };
})();
