//! The browser's part of a WebAuthn ceremony: the options Roster sent, as JSON, handed to
//! `navigator.credentials`, and the authenticator's answer handed back as JSON. The JSON forms
//! are the browser's own (`PublicKeyCredential.parse…OptionsFromJSON`, `toJSON`).

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = PublicKeyCredential, js_name = parseCreationOptionsFromJSON)]
        fn parse_creation(options: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = PublicKeyCredential, js_name = parseRequestOptionsFromJSON)]
        fn parse_request(options: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = ["navigator", "credentials"], js_name = create)]
        fn credentials_create(options: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(catch, js_namespace = ["navigator", "credentials"], js_name = get)]
        fn credentials_get(options: &JsValue) -> Result<js_sys::Promise, JsValue>;
    }

    fn public_key(options: &str) -> Result<JsValue, JsValue> {
        let parsed = js_sys::JSON::parse(options)?;
        js_sys::Reflect::get(&parsed, &JsValue::from_str("publicKey"))
    }

    fn wrapped(inner: JsValue) -> Result<JsValue, JsValue> {
        let outer = js_sys::Object::new();
        js_sys::Reflect::set(&outer, &JsValue::from_str("publicKey"), &inner)?;
        Ok(outer.into())
    }

    async fn answer(promise: js_sys::Promise) -> Result<String, JsValue> {
        let credential = wasm_bindgen_futures::JsFuture::from(promise).await?;
        let to_json: js_sys::Function =
            js_sys::Reflect::get(&credential, &JsValue::from_str("toJSON"))?.dyn_into()?;
        let json = to_json.call0(&credential)?;
        js_sys::JSON::stringify(&json)?
            .as_string()
            .ok_or_else(|| JsValue::from_str("no answer"))
    }

    pub async fn create(options: &str) -> Result<String, JsValue> {
        let options = wrapped(parse_creation(&public_key(options)?)?)?;
        answer(credentials_create(&options)?).await
    }

    pub async fn get(options: &str) -> Result<String, JsValue> {
        let options = wrapped(parse_request(&public_key(options)?)?)?;
        answer(credentials_get(&options)?).await
    }
}

/// Registers a new credential: the authenticator's answer, or why there is none (the person
/// cancelled, or the browser has no authenticator).
pub async fn create(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        browser::create(options).await.map_err(|_| {
            "No passkey was made: the browser's prompt was cancelled or has no authenticator."
                .to_owned()
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Passkeys need JavaScript.".to_owned())
    }
}

/// Signs a challenge with a credential the person picks.
pub async fn get(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        browser::get(options).await.map_err(|_| {
            "No passkey answered: the browser's prompt was cancelled or found none.".to_owned()
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Passkeys need JavaScript.".to_owned())
    }
}
