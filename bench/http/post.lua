-- wrk script: POST a JSON body with a bearer token (WRK_TOKEN, WRK_BODY, WRK_PATH from the environment).
wrk.method = "POST"
wrk.path = os.getenv("WRK_PATH")
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN")
